-- Fails the source build unless file access is off and locked (initialize.sql ran).
select case
         when current_setting('enable_external_access') or not current_setting('lock_configuration')
         then error('finsam: file access is not off: initialize.sql did not run on this connection')
         else 'off'
       end as external_access
